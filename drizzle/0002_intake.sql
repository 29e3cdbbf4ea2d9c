CREATE TABLE "correlation_keys" (
	"investigation_id" text NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"distinct_key" text DEFAULT '' NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"first_seen" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_files" (
	"id" text PRIMARY KEY NOT NULL,
	"signal_id" text NOT NULL,
	"investigation_id" text,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"content_base64" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "suppression_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"match" jsonb NOT NULL,
	"owner" text NOT NULL,
	"reason" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"investigation_id" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text
);
--> statement-breakpoint
ALTER TABLE "signals" ALTER COLUMN "investigation_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "tenant_id" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "reporter" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "exercise_id" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "reference" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "suppressed_by" text;--> statement-breakpoint
ALTER TABLE "signals" ADD COLUMN "observables" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "correlation_keys" ADD CONSTRAINT "correlation_keys_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_signal_id_signals_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_rules" ADD CONSTRAINT "suppression_rules_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "correlation_keys_pk" ON "correlation_keys" USING btree ("kind","value","distinct_key","investigation_id");--> statement-breakpoint
CREATE INDEX "evidence_files_signal" ON "evidence_files" USING btree ("signal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signals_source_event" ON "signals" USING btree ("source","source_event_id") WHERE "signals"."source_event_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "signals_suppressed_by" ON "signals" USING btree ("suppressed_by");--> statement-breakpoint
ALTER TABLE "signals" ADD CONSTRAINT "signals_reference_unique" UNIQUE("reference");--> statement-breakpoint
INSERT INTO "correlation_keys" ("investigation_id", "kind", "value", "distinct_key", "first_seen", "last_seen")
SELECT "id", 'fingerprint', "fingerprint",
  CASE WHEN "exercise_id" IS NULL THEN '' ELSE 'exercise:' || "exercise_id" || '|' END,
  "first_seen", "last_seen"
FROM "investigations";
