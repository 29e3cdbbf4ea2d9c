CREATE TABLE "customer_summaries" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"body" text NOT NULL,
	"body_sha256" text NOT NULL,
	"written_by" text NOT NULL,
	"written_at" timestamp with time zone NOT NULL,
	"approved_by" text,
	"approved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "evidence_approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"approved_by" text NOT NULL,
	"approved_at" timestamp with time zone NOT NULL,
	"scope" jsonb NOT NULL,
	"reason" text NOT NULL,
	"recipient" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_by" text,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "evidence_exports" (
	"id" text PRIMARY KEY NOT NULL,
	"approval_id" text NOT NULL,
	"investigation_id" text NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"manifest" jsonb NOT NULL,
	"manifest_sha256" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "investigation_team" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"person_id" text NOT NULL,
	"team_role" text NOT NULL,
	"added_by" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	"removed_by" text,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "on_call_shifts" (
	"id" text PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"added_by" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	"removed_by" text,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "training_completions" (
	"id" text PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL,
	"topic" text NOT NULL,
	"topic_version" text NOT NULL,
	"completed_at" timestamp with time zone NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"note" text
);
--> statement-breakpoint
ALTER TABLE "customer_summaries" ADD CONSTRAINT "customer_summaries_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_approvals" ADD CONSTRAINT "evidence_approvals_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_exports" ADD CONSTRAINT "evidence_exports_approval_id_evidence_approvals_id_fk" FOREIGN KEY ("approval_id") REFERENCES "public"."evidence_approvals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_exports" ADD CONSTRAINT "evidence_exports_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "investigation_team" ADD CONSTRAINT "investigation_team_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "investigation_team" ADD CONSTRAINT "investigation_team_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "on_call_shifts" ADD CONSTRAINT "on_call_shifts_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_completions" ADD CONSTRAINT "training_completions_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_summaries_investigation" ON "customer_summaries" USING btree ("investigation_id");--> statement-breakpoint
CREATE INDEX "evidence_approvals_investigation" ON "evidence_approvals" USING btree ("investigation_id");--> statement-breakpoint
CREATE INDEX "evidence_exports_investigation" ON "evidence_exports" USING btree ("investigation_id");--> statement-breakpoint
CREATE INDEX "investigation_team_investigation" ON "investigation_team" USING btree ("investigation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "investigation_team_current" ON "investigation_team" USING btree ("investigation_id","person_id") WHERE removed_at is null;--> statement-breakpoint
CREATE INDEX "on_call_shifts_person" ON "on_call_shifts" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "training_completions_person" ON "training_completions" USING btree ("person_id","topic");