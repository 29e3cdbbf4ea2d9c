CREATE TABLE "holds" (
	"id" text PRIMARY KEY NOT NULL,
	"notice_id" text NOT NULL,
	"ground" text NOT NULL,
	"reason" text NOT NULL,
	"review_at" timestamp with time zone NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"legal_approver" text,
	"legal_approved_at" timestamp with time zone,
	"executive_approver" text,
	"executive_approved_at" timestamp with time zone,
	"released_at" timestamp with time zone,
	"released_by" text,
	"release_reason" text
);
--> statement-breakpoint
CREATE TABLE "staff_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"investigation_id" text NOT NULL,
	"clock_id" text,
	"outbox_id" text,
	"dedup_key" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"sent_at" timestamp with time zone,
	"last_response" text,
	CONSTRAINT "staff_alerts_dedup_key_unique" UNIQUE("dedup_key")
);
--> statement-breakpoint
DROP INDEX "notices_one_per_audience";--> statement-breakpoint
ALTER TABLE "clocks" ALTER COLUMN "starts_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "clocks" ALTER COLUMN "due" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "clocks" ADD COLUMN "recipient" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "clocks" ADD COLUMN "status" text DEFAULT 'required' NOT NULL;--> statement-breakpoint
ALTER TABLE "clocks" ADD COLUMN "decision" jsonb;--> statement-breakpoint
ALTER TABLE "clocks" ADD COLUMN "late_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "clocks" ADD COLUMN "reminders_sent" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "clocks" ADD COLUMN "updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "investigations" ADD COLUMN "determined_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "investigations" ADD COLUMN "classified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "investigations" ADD COLUMN "regime_overrides" jsonb;--> statement-breakpoint
ALTER TABLE "notices" ADD COLUMN "phase" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "notices" ADD COLUMN "follows_notice_id" text;--> statement-breakpoint
ALTER TABLE "notices" ADD COLUMN "language" text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "bounced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "scoped_tenants" ADD COLUMN "touched_resources" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "sector" text;--> statement-breakpoint
ALTER TABLE "holds" ADD CONSTRAINT "holds_notice_id_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_alerts" ADD CONSTRAINT "staff_alerts_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "holds_notice" ON "holds" USING btree ("notice_id");--> statement-breakpoint
CREATE INDEX "staff_alerts_investigation" ON "staff_alerts" USING btree ("investigation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notices_one_per_phase" ON "notices" USING btree ("investigation_id","tenant_id","audience","phase");