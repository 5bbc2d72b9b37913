CREATE INDEX "bookings_accepted_email_idx" ON "bookings" USING btree (lower("prospective_email"),"end_time") WHERE status = 'ACCEPTED';
