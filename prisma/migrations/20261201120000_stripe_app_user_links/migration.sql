-- CreateTable
CREATE TABLE "stripe_app_user_links" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "stripeUserId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stripe_app_user_links_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "stripe_app_user_links_orgId_idx" ON "stripe_app_user_links"("orgId");

-- CreateIndex
CREATE INDEX "stripe_app_user_links_userId_idx" ON "stripe_app_user_links"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "stripe_app_user_links_integrationId_stripeUserId_key" ON "stripe_app_user_links"("integrationId", "stripeUserId");

-- AddForeignKey
ALTER TABLE "stripe_app_user_links" ADD CONSTRAINT "stripe_app_user_links_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_app_user_links" ADD CONSTRAINT "stripe_app_user_links_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stripe_app_user_links" ADD CONSTRAINT "stripe_app_user_links_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

