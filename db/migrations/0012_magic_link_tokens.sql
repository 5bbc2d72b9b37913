CREATE TABLE "magic_link_tokens" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "magic_link_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"token_hash" varchar(64) NOT NULL,
	"user_id" integer NOT NULL,
	"locale" varchar(2) DEFAULT 'fr' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"requested_from" text,
	CONSTRAINT "magic_link_tokens_hash_hex" CHECK ("magic_link_tokens"."token_hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "magic_link_tokens_expiry_after_creation" CHECK ("magic_link_tokens"."expires_at" > "magic_link_tokens"."created_at"),
	CONSTRAINT "magic_link_tokens_locale_known" CHECK ("magic_link_tokens"."locale" in ('fr', 'en'))
);
--> statement-breakpoint
ALTER TABLE "magic_link_tokens" ADD CONSTRAINT "magic_link_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "magic_link_tokens_hash_key" ON "magic_link_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "magic_link_tokens_user_idx" ON "magic_link_tokens" USING btree ("user_id","created_at");