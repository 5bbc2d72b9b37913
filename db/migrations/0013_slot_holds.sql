CREATE TABLE "slot_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"student_profile_id" text NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"visitor_id" varchar(128) NOT NULL,
	"holder" varchar(200) NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slot_holds" ADD CONSTRAINT "slot_holds_student_profile_id_student_profiles_id_fk" FOREIGN KEY ("student_profile_id") REFERENCES "public"."student_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "slot_holds_slot_key" ON "slot_holds" USING btree ("student_profile_id","start_time");--> statement-breakpoint
CREATE UNIQUE INDEX "slot_holds_visitor_key" ON "slot_holds" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "slot_holds_expires_idx" ON "slot_holds" USING btree ("expires_at");