CREATE TYPE "public"."user_role" AS ENUM('admin', 'integrator', 'mentor');--> statement-breakpoint
CREATE TYPE "public"."academic_field" AS ENUM('LAW', 'MEDICINE', 'ENGINEERING', 'BUSINESS', 'COMPUTER_SCIENCE', 'PSYCHOLOGY', 'EDUCATION', 'ARTS', 'SCIENCES', 'OTHER');--> statement-breakpoint
CREATE TABLE "users" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"email" varchar(254) NOT NULL,
	"name" varchar(120) NOT NULL,
	"role" "user_role" DEFAULT 'mentor' NOT NULL,
	"time_zone" varchar(64) DEFAULT 'Europe/Paris' NOT NULL,
	"locale" varchar(2) DEFAULT 'fr' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_format" CHECK ("users"."email" ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
	CONSTRAINT "users_name_not_blank" CHECK (length(btrim("users"."name")) > 0),
	CONSTRAINT "users_locale_known" CHECK ("users"."locale" in ('fr', 'en')),
	CONSTRAINT "users_time_zone_not_blank" CHECK (length("users"."time_zone") > 0)
);
--> statement-breakpoint
CREATE TABLE "student_profiles" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"university" varchar(200),
	"degree" varchar(200),
	"field" "academic_field",
	"current_year" integer,
	"bio" text,
	"profile_photo_url" text,
	"linked_in_url" text,
	"is_active" boolean DEFAULT true NOT NULL,
	"is_complete" boolean GENERATED ALWAYS AS (university is not null and degree is not null and field is not null and current_year is not null and bio is not null) STORED NOT NULL,
	"total_sessions" integer DEFAULT 0 NOT NULL,
	"completed_sessions" integer DEFAULT 0 NOT NULL,
	"cancelled_sessions" integer DEFAULT 0 NOT NULL,
	"average_rating" numeric(3, 2),
	"total_ratings" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "student_profiles_user_id_unique" UNIQUE("user_id"),
	CONSTRAINT "student_profiles_university_len" CHECK ("student_profiles"."university" is null or length(btrim("student_profiles"."university")) between 1 and 200),
	CONSTRAINT "student_profiles_degree_len" CHECK ("student_profiles"."degree" is null or length(btrim("student_profiles"."degree")) between 1 and 200),
	CONSTRAINT "student_profiles_current_year_range" CHECK ("student_profiles"."current_year" is null or "student_profiles"."current_year" between 1 and 10),
	CONSTRAINT "student_profiles_bio_len" CHECK ("student_profiles"."bio" is null or char_length("student_profiles"."bio") between 50 and 1000),
	CONSTRAINT "student_profiles_photo_https" CHECK ("student_profiles"."profile_photo_url" is null or "student_profiles"."profile_photo_url" ~ '^(https://|/media/)'),
	CONSTRAINT "student_profiles_linkedin_format" CHECK ("student_profiles"."linked_in_url" is null or "student_profiles"."linked_in_url" ~ '^https://([a-z]{2,3}\.)?linkedin\.com/'),
	CONSTRAINT "student_profiles_rating_range" CHECK ("student_profiles"."average_rating" is null or "student_profiles"."average_rating" between 1 and 5),
	CONSTRAINT "student_profiles_counters" CHECK ("student_profiles"."total_sessions" >= 0 and "student_profiles"."completed_sessions" >= 0 and "student_profiles"."cancelled_sessions" >= 0 and "student_profiles"."total_ratings" >= 0 and "student_profiles"."completed_sessions" + "student_profiles"."cancelled_sessions" <= "student_profiles"."total_sessions")
);
--> statement-breakpoint
ALTER TABLE "student_profiles" ADD CONSTRAINT "student_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_key" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "student_profiles_listing_idx" ON "student_profiles" USING btree ("field","average_rating" DESC NULLS LAST,"id") WHERE is_active and is_complete;--> statement-breakpoint
CREATE INDEX "student_profiles_university_idx" ON "student_profiles" USING btree ("university") WHERE is_active and is_complete;