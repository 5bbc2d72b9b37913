CREATE TYPE "public"."booking_status" AS ENUM('ACCEPTED', 'CANCELLED', 'COMPLETED');--> statement-breakpoint
CREATE TABLE "mentor_schedules" (
	"student_profile_id" text PRIMARY KEY NOT NULL,
	"time_zone" varchar(64) NOT NULL,
	"weekly" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"overrides" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"out_of_office" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "booking_history" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "booking_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"booking_id" integer NOT NULL,
	"action" varchar(16) NOT NULL,
	"from_status" "booking_status",
	"to_status" "booking_status" NOT NULL,
	"old_start_time" timestamp with time zone,
	"new_start_time" timestamp with time zone,
	"actor" varchar(120) NOT NULL,
	"data" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bookings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"student_profile_id" text NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone NOT NULL,
	"status" "booking_status" DEFAULT 'ACCEPTED' NOT NULL,
	"prospective_name" varchar(120) NOT NULL,
	"prospective_email" varchar(254) NOT NULL,
	"question" text,
	"prospective_time_zone" varchar(64),
	"prospective_locale" varchar(2) DEFAULT 'fr' NOT NULL,
	"meeting_url" text NOT NULL,
	"meeting_provider" varchar(16) NOT NULL,
	"calendar_event_id" text,
	"external_uid" text,
	"cancellation_reason" text,
	"cancelled_by" varchar(16),
	"cancelled_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookings_duration_15_minutes" CHECK ("bookings"."end_time" = "bookings"."start_time" + interval '15 minutes'),
	CONSTRAINT "bookings_quarter_hour" CHECK (extract(second from "bookings"."start_time") = 0 and extract(minute from "bookings"."start_time")::int % 15 = 0),
	CONSTRAINT "bookings_name_not_blank" CHECK (length(btrim("bookings"."prospective_name")) > 0),
	CONSTRAINT "bookings_email_format" CHECK ("bookings"."prospective_email" ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
	CONSTRAINT "bookings_question_len" CHECK ("bookings"."question" is null or char_length("bookings"."question") <= 500),
	CONSTRAINT "bookings_locale_known" CHECK ("bookings"."prospective_locale" in ('fr', 'en')),
	CONSTRAINT "bookings_cancelled_fields" CHECK (("bookings"."status" = 'CANCELLED') = ("bookings"."cancelled_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" varchar(160) NOT NULL,
	"key" varchar(200) NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"response_status" integer NOT NULL,
	"response_body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "calendar_busy" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "calendar_busy_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"student_profile_id" text NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone NOT NULL,
	"source" varchar(16) DEFAULT 'google' NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "google_connections" (
	"student_profile_id" text PRIMARY KEY NOT NULL,
	"refresh_token_sealed" text NOT NULL,
	"calendar_id" varchar(254) DEFAULT 'primary' NOT NULL,
	"scope" text,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sync_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "student_profiles" ADD COLUMN "free_slots_7d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "student_profiles" ADD COLUMN "free_slots_30d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "student_profiles" ADD COLUMN "next_free_slot_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "student_profiles" ADD COLUMN "availability_computed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "student_profiles" ADD COLUMN "calcom_event_type_id" integer;--> statement-breakpoint
ALTER TABLE "mentor_schedules" ADD CONSTRAINT "mentor_schedules_student_profile_id_student_profiles_id_fk" FOREIGN KEY ("student_profile_id") REFERENCES "public"."student_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_history" ADD CONSTRAINT "booking_history_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_student_profile_id_student_profiles_id_fk" FOREIGN KEY ("student_profile_id") REFERENCES "public"."student_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_busy" ADD CONSTRAINT "calendar_busy_student_profile_id_student_profiles_id_fk" FOREIGN KEY ("student_profile_id") REFERENCES "public"."student_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "google_connections" ADD CONSTRAINT "google_connections_student_profile_id_student_profiles_id_fk" FOREIGN KEY ("student_profile_id") REFERENCES "public"."student_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_history_booking_idx" ON "booking_history" USING btree ("booking_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_meeting_url_key" ON "bookings" USING btree ("meeting_url");--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_external_uid_key" ON "bookings" USING btree ("external_uid");--> statement-breakpoint
CREATE INDEX "bookings_mentor_start_idx" ON "bookings" USING btree ("student_profile_id","start_time");--> statement-breakpoint
CREATE INDEX "bookings_accepted_end_idx" ON "bookings" USING btree ("end_time") WHERE status = 'ACCEPTED';--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "calendar_busy_mentor_idx" ON "calendar_busy" USING btree ("student_profile_id","start_time");--> statement-breakpoint
CREATE INDEX "student_profiles_free_slots_idx" ON "student_profiles" USING btree ("field","free_slots_30d" DESC NULLS LAST,"id") WHERE is_active and is_complete;