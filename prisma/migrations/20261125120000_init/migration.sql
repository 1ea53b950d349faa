-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "MembershipRole" AS ENUM ('owner', 'admin', 'reviewer', 'viewer');

-- CreateEnum
CREATE TYPE "PaymentSource" AS ENUM ('stripe', 'paytrace');

-- CreateEnum
CREATE TYPE "SageEdition" AS ENUM ('sage500', 'sage_pro', 'sage50', 'sage_accounting');

-- CreateEnum
CREATE TYPE "PostingMode" AS ENUM ('per_transaction', 'payout_summary');

-- CreateEnum
CREATE TYPE "IntegrationStatus" AS ENUM ('active', 'paused', 'disconnected');

-- CreateEnum
CREATE TYPE "ConnectionProvider" AS ENUM ('stripe', 'paytrace', 'sage500', 'sage_pro', 'sage50', 'sage_accounting');

-- CreateEnum
CREATE TYPE "ConnectionAuthKind" AS ENUM ('oauth', 'api_key', 'password');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('connected', 'needs_reauth', 'revoked');

-- CreateEnum
CREATE TYPE "SourceObjectType" AS ENUM ('charge', 'refund', 'dispute', 'customer', 'invoice', 'subscription', 'payout', 'paytrace_sale', 'paytrace_refund', 'paytrace_customer', 'paytrace_batch');

-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('pending', 'synced', 'failed', 'held', 'skipped', 'dead');

-- CreateEnum
CREATE TYPE "SageDocumentType" AS ENUM ('customer', 'sales_order', 'invoice', 'cash_receipt', 'credit_memo', 'journal_entry');

-- CreateEnum
CREATE TYPE "AttemptOutcome" AS ENUM ('succeeded', 'failed', 'retry_scheduled', 'held', 'skipped');

-- CreateEnum
CREATE TYPE "ReconciliationStatus" AS ENUM ('pending', 'posted', 'held', 'failed');

-- CreateEnum
CREATE TYPE "AnomalyCaseStatus" AS ENUM ('open', 'approved', 'rejected', 'resynced');

-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('low', 'medium', 'high');

-- CreateEnum
CREATE TYPE "ReviewDecisionKind" AS ENUM ('approve', 'reject', 'fix_and_resync');

-- CreateEnum
CREATE TYPE "AlertKind" AS ENUM ('anomaly', 'sync_failure', 'payout_mismatch', 'connection');

-- CreateEnum
CREATE TYPE "AlertDelivery" AS ENUM ('immediate', 'digest');

-- CreateEnum
CREATE TYPE "EmailStatus" AS ENUM ('queued', 'sending', 'sent', 'failed');

-- CreateEnum
CREATE TYPE "BackfillStatus" AS ENUM ('queued', 'running', 'complete', 'partial', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "AuditActorKind" AS ENUM ('user', 'system', 'stripe_app');

-- CreateTable
CREATE TABLE "organizations" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT NOT NULL,
    "emailVerified" TIMESTAMPTZ(3),
    "image" TEXT,
    "passwordHash" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "MembershipRole" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_accounts" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,

    CONSTRAINT "auth_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_sessions" (
    "id" TEXT NOT NULL,
    "sessionToken" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expires" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_verification_tokens" (
    "identifier" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expires" TIMESTAMPTZ(3) NOT NULL
);

-- CreateTable
CREATE TABLE "integrations" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "source" "PaymentSource" NOT NULL,
    "sourceAccountId" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL DEFAULT false,
    "sageEdition" "SageEdition" NOT NULL,
    "sageCompanyId" TEXT NOT NULL,
    "postingMode" "PostingMode" NOT NULL DEFAULT 'per_transaction',
    "timeZone" TEXT NOT NULL,
    "homeCurrency" CHAR(3) NOT NULL,
    "status" "IntegrationStatus" NOT NULL DEFAULT 'active',
    "syncStartAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "writeBackMetadata" BOOLEAN NOT NULL DEFAULT false,
    "writeBackMetadataKey" TEXT NOT NULL DEFAULT 'sage_document_id',
    "anomalyThreshold" DOUBLE PRECISION NOT NULL DEFAULT 0.8,
    "webhookSecret" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "integrations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connections" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "provider" "ConnectionProvider" NOT NULL,
    "authKind" "ConnectionAuthKind" NOT NULL,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'connected',
    "baseUrl" TEXT,
    "externalAccountId" TEXT,
    "username" TEXT,
    "scopes" TEXT,
    "accessToken" JSONB,
    "refreshToken" JSONB,
    "apiKey" JSONB,
    "password" JSONB,
    "accessTokenExpiresAt" TIMESTAMPTZ(3),
    "tokenVersion" INTEGER NOT NULL DEFAULT 0,
    "lastRefreshedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "received_events" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "source" "PaymentSource" NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "objectType" TEXT,
    "objectId" TEXT,
    "livemode" BOOLEAN NOT NULL DEFAULT false,
    "apiVersion" TEXT,
    "sourceCreatedAt" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMPTZ(3),

    CONSTRAINT "received_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_records" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "sourceObjectType" "SourceObjectType" NOT NULL,
    "sourceObjectId" TEXT NOT NULL,
    "parentId" TEXT,
    "status" "SyncStatus" NOT NULL DEFAULT 'pending',
    "sageDocumentType" "SageDocumentType",
    "sageDocumentId" TEXT,
    "sageDocumentNumber" TEXT,
    "amountMinor" BIGINT,
    "currency" CHAR(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" JSONB,
    "postedHash" TEXT,
    "objectVersionAt" TIMESTAMPTZ(3),
    "lastEventId" TEXT,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "syncedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sync_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_attempts" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "syncRecordId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "jobId" TEXT,
    "eventId" TEXT,
    "outcome" "AttemptOutcome" NOT NULL,
    "error" JSONB,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    "durationMs" INTEGER,

    CONSTRAINT "sync_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "field_mappings" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "documentType" "SageDocumentType" NOT NULL,
    "version" INTEGER NOT NULL,
    "isActive" BOOLEAN NOT NULL DEFAULT false,
    "definition" JSONB NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "field_mappings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gl_rules" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "conditions" JSONB NOT NULL,
    "accounts" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "gl_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payout_reconciliations" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "payoutId" TEXT NOT NULL,
    "status" "ReconciliationStatus" NOT NULL DEFAULT 'pending',
    "currency" CHAR(3) NOT NULL,
    "payoutAmountMinor" BIGINT NOT NULL,
    "transactionsTotalMinor" BIGINT,
    "differenceMinor" BIGINT,
    "transactionCount" INTEGER,
    "arrivalDate" TIMESTAMPTZ(3),
    "summary" JSONB,
    "journalDocumentId" TEXT,
    "journalNumber" TEXT,
    "heldReason" TEXT,
    "postedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payout_reconciliations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "anomaly_cases" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "syncRecordId" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "reasons" JSONB NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "status" "AnomalyCaseStatus" NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMPTZ(3),

    CONSTRAINT "anomaly_cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "review_decisions" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "decision" "ReviewDecisionKind" NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "review_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_rules" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "kind" "AlertKind" NOT NULL,
    "minSeverity" "AlertSeverity" NOT NULL DEFAULT 'low',
    "delivery" "AlertDelivery" NOT NULL DEFAULT 'digest',
    "digestIntervalMinutes" INTEGER NOT NULL DEFAULT 60,
    "recipients" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_outbox" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "alertRuleId" TEXT,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "textBody" TEXT NOT NULL,
    "htmlBody" TEXT,
    "dedupeKey" TEXT NOT NULL,
    "status" "EmailStatus" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "sendAfter" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backfill_runs" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "rangeStart" TIMESTAMPTZ(3) NOT NULL,
    "rangeEnd" TIMESTAMPTZ(3) NOT NULL,
    "status" "BackfillStatus" NOT NULL DEFAULT 'queued',
    "requestedById" TEXT,
    "outcome" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "backfill_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backfill_segments" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "objectType" "SourceObjectType" NOT NULL,
    "rangeStart" TIMESTAMPTZ(3) NOT NULL,
    "rangeEnd" TIMESTAMPTZ(3) NOT NULL,
    "status" "BackfillStatus" NOT NULL DEFAULT 'queued',
    "cursor" TEXT,
    "listedCount" INTEGER NOT NULL DEFAULT 0,
    "enqueuedCount" INTEGER NOT NULL DEFAULT 0,
    "lastError" JSONB,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "backfill_segments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_buckets" (
    "key" TEXT NOT NULL,
    "capacity" INTEGER NOT NULL,
    "refillPerSecond" DOUBLE PRECISION NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "stripe_app_link_tokens" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "stripeAccountId" TEXT NOT NULL,
    "orgId" TEXT,
    "stripeUserId" TEXT,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_app_link_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "actorKind" "AuditActorKind" NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "data" JSONB,
    "requestId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organizations_slug_key" ON "organizations"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "memberships_userId_idx" ON "memberships"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_orgId_userId_key" ON "memberships"("orgId", "userId");

-- CreateIndex
CREATE INDEX "auth_accounts_userId_idx" ON "auth_accounts"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "auth_accounts_provider_providerAccountId_key" ON "auth_accounts"("provider", "providerAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "auth_sessions_sessionToken_key" ON "auth_sessions"("sessionToken");

-- CreateIndex
CREATE INDEX "auth_sessions_userId_idx" ON "auth_sessions"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "auth_verification_tokens_token_key" ON "auth_verification_tokens"("token");

-- CreateIndex
CREATE UNIQUE INDEX "auth_verification_tokens_identifier_token_key" ON "auth_verification_tokens"("identifier", "token");

-- CreateIndex
CREATE INDEX "integrations_orgId_idx" ON "integrations"("orgId");

-- CreateIndex
CREATE INDEX "integrations_sageEdition_sageCompanyId_idx" ON "integrations"("sageEdition", "sageCompanyId");

-- CreateIndex
CREATE UNIQUE INDEX "integrations_source_sourceAccountId_key" ON "integrations"("source", "sourceAccountId");

-- CreateIndex
CREATE INDEX "connections_orgId_idx" ON "connections"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "connections_integrationId_provider_key" ON "connections"("integrationId", "provider");

-- CreateIndex
CREATE INDEX "received_events_integrationId_objectId_idx" ON "received_events"("integrationId", "objectId");

-- CreateIndex
CREATE INDEX "received_events_orgId_receivedAt_idx" ON "received_events"("orgId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "received_events_source_eventId_key" ON "received_events"("source", "eventId");

-- CreateIndex
CREATE INDEX "sync_records_orgId_status_updatedAt_idx" ON "sync_records"("orgId", "status", "updatedAt");

-- CreateIndex
CREATE INDEX "sync_records_integrationId_status_updatedAt_idx" ON "sync_records"("integrationId", "status", "updatedAt");

-- CreateIndex
CREATE INDEX "sync_records_parentId_idx" ON "sync_records"("parentId");

-- CreateIndex
CREATE INDEX "sync_records_integrationId_sageDocumentId_idx" ON "sync_records"("integrationId", "sageDocumentId");

-- CreateIndex
CREATE UNIQUE INDEX "sync_records_integrationId_sourceObjectType_sourceObjectId_key" ON "sync_records"("integrationId", "sourceObjectType", "sourceObjectId");

-- CreateIndex
CREATE INDEX "sync_attempts_orgId_startedAt_idx" ON "sync_attempts"("orgId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "sync_attempts_syncRecordId_number_key" ON "sync_attempts"("syncRecordId", "number");

-- CreateIndex
CREATE INDEX "field_mappings_integrationId_documentType_isActive_idx" ON "field_mappings"("integrationId", "documentType", "isActive");

-- CreateIndex
CREATE INDEX "field_mappings_orgId_idx" ON "field_mappings"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "field_mappings_integrationId_documentType_version_key" ON "field_mappings"("integrationId", "documentType", "version");

-- CreateIndex
CREATE INDEX "gl_rules_integrationId_position_idx" ON "gl_rules"("integrationId", "position");

-- CreateIndex
CREATE INDEX "gl_rules_orgId_idx" ON "gl_rules"("orgId");

-- CreateIndex
CREATE INDEX "payout_reconciliations_orgId_status_createdAt_idx" ON "payout_reconciliations"("orgId", "status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "payout_reconciliations_integrationId_payoutId_key" ON "payout_reconciliations"("integrationId", "payoutId");

-- CreateIndex
CREATE INDEX "anomaly_cases_orgId_status_createdAt_idx" ON "anomaly_cases"("orgId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "anomaly_cases_syncRecordId_idx" ON "anomaly_cases"("syncRecordId");

-- CreateIndex
CREATE INDEX "review_decisions_caseId_createdAt_idx" ON "review_decisions"("caseId", "createdAt");

-- CreateIndex
CREATE INDEX "review_decisions_orgId_idx" ON "review_decisions"("orgId");

-- CreateIndex
CREATE INDEX "alert_rules_orgId_kind_idx" ON "alert_rules"("orgId", "kind");

-- CreateIndex
CREATE INDEX "email_outbox_status_sendAfter_idx" ON "email_outbox"("status", "sendAfter");

-- CreateIndex
CREATE UNIQUE INDEX "email_outbox_orgId_dedupeKey_toAddress_key" ON "email_outbox"("orgId", "dedupeKey", "toAddress");

-- CreateIndex
CREATE INDEX "backfill_runs_integrationId_createdAt_idx" ON "backfill_runs"("integrationId", "createdAt");

-- CreateIndex
CREATE INDEX "backfill_runs_orgId_idx" ON "backfill_runs"("orgId");

-- CreateIndex
CREATE INDEX "backfill_segments_runId_status_idx" ON "backfill_segments"("runId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_app_link_tokens_tokenHash_key" ON "stripe_app_link_tokens"("tokenHash");

-- CreateIndex
CREATE INDEX "stripe_app_link_tokens_stripeAccountId_idx" ON "stripe_app_link_tokens"("stripeAccountId");

-- CreateIndex
CREATE INDEX "audit_log_orgId_createdAt_idx" ON "audit_log"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "audit_log_orgId_targetType_targetId_idx" ON "audit_log"("orgId", "targetType", "targetId");

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_accounts" ADD CONSTRAINT "auth_accounts_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "received_events" ADD CONSTRAINT "received_events_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "received_events" ADD CONSTRAINT "received_events_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_records" ADD CONSTRAINT "sync_records_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_records" ADD CONSTRAINT "sync_records_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_records" ADD CONSTRAINT "sync_records_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "sync_records"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_attempts" ADD CONSTRAINT "sync_attempts_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_attempts" ADD CONSTRAINT "sync_attempts_syncRecordId_fkey" FOREIGN KEY ("syncRecordId") REFERENCES "sync_records"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "field_mappings" ADD CONSTRAINT "field_mappings_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "field_mappings" ADD CONSTRAINT "field_mappings_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gl_rules" ADD CONSTRAINT "gl_rules_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gl_rules" ADD CONSTRAINT "gl_rules_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payout_reconciliations" ADD CONSTRAINT "payout_reconciliations_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payout_reconciliations" ADD CONSTRAINT "payout_reconciliations_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "anomaly_cases" ADD CONSTRAINT "anomaly_cases_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "anomaly_cases" ADD CONSTRAINT "anomaly_cases_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "anomaly_cases" ADD CONSTRAINT "anomaly_cases_syncRecordId_fkey" FOREIGN KEY ("syncRecordId") REFERENCES "sync_records"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "anomaly_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_alertRuleId_fkey" FOREIGN KEY ("alertRuleId") REFERENCES "alert_rules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backfill_runs" ADD CONSTRAINT "backfill_runs_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backfill_runs" ADD CONSTRAINT "backfill_runs_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backfill_segments" ADD CONSTRAINT "backfill_segments_runId_fkey" FOREIGN KEY ("runId") REFERENCES "backfill_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_app_link_tokens" ADD CONSTRAINT "stripe_app_link_tokens_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

