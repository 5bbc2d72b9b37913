-- Property 7: two active bookings of one mentor can never overlap, whatever the code does.
-- Ranges are half-open ('[)'), so back-to-back sessions (14:00-14:15 then 14:15-14:30) are allowed.
-- Cancelled and completed sessions do not hold their slot.
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlap"
  EXCLUDE USING gist ("student_profile_id" WITH =, tstzrange("start_time", "end_time", '[)') WITH &&)
  WHERE ("status" = 'ACCEPTED');
