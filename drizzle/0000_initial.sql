CREATE TABLE "account_team" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"role" text NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"label" text NOT NULL,
	"role" text NOT NULL,
	"tenant_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" text NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"data" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "breach_contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clocks" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"regime" text NOT NULL,
	"filing" text NOT NULL,
	"tenant_key" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"due" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"met_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "investigations" (
	"id" text PRIMARY KEY NOT NULL,
	"number" serial NOT NULL,
	"title" text NOT NULL,
	"stage" text NOT NULL,
	"source_kind" text NOT NULL,
	"fingerprint" text NOT NULL,
	"exercise_id" text,
	"signal_count" integer DEFAULT 1 NOT NULL,
	"duplicate_count" integer DEFAULT 0 NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"severity" text NOT NULL,
	"priority" text,
	"rating" jsonb,
	"classification" text,
	"root_cause" text,
	"declaration" jsonb,
	"aware_at" timestamp with time zone,
	"declared_at" timestamp with time zone,
	"postmortem" jsonb,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "investigations_number_unique" UNIQUE("number")
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"audience" text NOT NULL,
	"status" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"body_sha256" text NOT NULL,
	"facts" jsonb NOT NULL,
	"exercise" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"approved_by" text,
	"approved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"notice_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"recipient_kind" text NOT NULL,
	"recipient_id" text NOT NULL,
	"recipient_name" text NOT NULL,
	"recipient_email" text NOT NULL,
	"message_id" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"last_response" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "outbox_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"rating" jsonb NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scoped_tenants" (
	"scoping_run_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"events" integer NOT NULL,
	"resources" integer NOT NULL,
	"objects" integer NOT NULL,
	"subjects" integer,
	"first_access" timestamp with time zone NOT NULL,
	"last_access" timestamp with time zone NOT NULL,
	"actions" jsonb NOT NULL,
	"sample_objects" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scoping_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"format" text NOT NULL,
	"paths" jsonb NOT NULL,
	"indicators" jsonb NOT NULL,
	"summary" jsonb NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"duplicate" boolean NOT NULL,
	"format" text NOT NULL,
	"source_kind" text NOT NULL,
	"source_event_id" text,
	"fingerprint" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"original_timestamp" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"title" text NOT NULL,
	"severity" text NOT NULL,
	"host" text,
	"source_ip" text,
	"destination_ip" text,
	"principal" text,
	"raw" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenant_resources" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"data_categories" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"contract_hours" integer,
	"jurisdictions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transitions" (
	"id" text PRIMARY KEY NOT NULL,
	"investigation_id" text NOT NULL,
	"from_stage" text NOT NULL,
	"to_stage" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "account_team" ADD CONSTRAINT "account_team_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breach_contacts" ADD CONSTRAINT "breach_contacts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clocks" ADD CONSTRAINT "clocks_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_notice_id_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoped_tenants" ADD CONSTRAINT "scoped_tenants_scoping_run_id_scoping_runs_id_fk" FOREIGN KEY ("scoping_run_id") REFERENCES "public"."scoping_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoped_tenants" ADD CONSTRAINT "scoped_tenants_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoping_runs" ADD CONSTRAINT "scoping_runs_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signals" ADD CONSTRAINT "signals_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_resources" ADD CONSTRAINT "tenant_resources_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transitions" ADD CONSTRAINT "transitions_investigation_id_investigations_id_fk" FOREIGN KEY ("investigation_id") REFERENCES "public"."investigations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_team_tenant" ON "account_team" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "breach_contacts_tenant" ON "breach_contacts" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "clocks_unique" ON "clocks" USING btree ("investigation_id","regime","filing","tenant_key");--> statement-breakpoint
CREATE INDEX "investigations_open_fingerprint" ON "investigations" USING btree ("fingerprint","stage");--> statement-breakpoint
CREATE UNIQUE INDEX "notices_one_per_audience" ON "notices" USING btree ("investigation_id","tenant_id","audience");--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_notice_recipient" ON "outbox" USING btree ("notice_id","recipient_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scoped_tenants_run_tenant" ON "scoped_tenants" USING btree ("scoping_run_id","tenant_id");--> statement-breakpoint
CREATE INDEX "signals_investigation" ON "signals" USING btree ("investigation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tenant_resources_kind_value" ON "tenant_resources" USING btree ("kind","value");