-- Data migration: the `sales_tax` GL role (the tax payable account an invoice's tax lines credit)
-- came after many integrations were created, so their GL rules name no sales tax account and every
-- invoice with tax fails with GL_ACCOUNT_MISSING. Each such integration gets the account its
-- edition's template gives a new integration (DEFAULT_GL_ACCOUNTS in
-- prisma/src/seed/default-templates.ts: the sales tax payable liability of the edition's chart),
-- where the template puts it: in the catch-all rule (no conditions), "Default accounts".
--
-- - An integration with any rule that names sales_tax (even a conditional or disabled one) made
--   its own choice and is left alone; so is one that already has it. Running this twice changes
--   nothing: after the first run every integration names sales_tax.
-- - The account goes into the integration's last enabled catch-all rule, so what the portal shows
--   is what a new integration has. An integration without one (its admin removed or disabled the
--   default rule) gets a catch-all rule of its own, naming only sales_tax, after its last rule:
--   it supplies sales_tax only, and only because no earlier rule does.
WITH "lacking" AS (
  SELECT i."id" AS "integrationId",
         i."orgId",
         CASE i."sageEdition"
           WHEN 'sage500' THEN '2100-00'
           WHEN 'sage_pro' THEN '2100'
           WHEN 'sage50' THEN '23100'
           WHEN 'sage_accounting' THEN '2200'
         END AS "account"
  FROM "integrations" i
  WHERE NOT EXISTS (
    SELECT 1 FROM "gl_rules" r
    WHERE r."integrationId" = i."id"
      AND jsonb_typeof(r."accounts") = 'object'
      AND COALESCE(r."accounts" ->> 'sales_tax', '') <> ''
  )
),
"catch_all" AS (
  SELECT DISTINCT ON (r."integrationId") r."id", r."integrationId", l."account"
  FROM "gl_rules" r
  JOIN "lacking" l ON l."integrationId" = r."integrationId"
  WHERE r."enabled"
    AND r."conditions" = '[]'::jsonb
    AND jsonb_typeof(r."accounts") = 'object'
  ORDER BY r."integrationId", r."position" DESC
),
"merged" AS (
  UPDATE "gl_rules" r
  SET "accounts" = r."accounts" || jsonb_build_object('sales_tax', c."account"),
      "updatedAt" = CURRENT_TIMESTAMP
  FROM "catch_all" c
  WHERE r."id" = c."id"
)
INSERT INTO "gl_rules" ("id", "orgId", "integrationId", "position", "name", "enabled", "conditions", "accounts", "createdAt", "updatedAt")
SELECT gen_random_uuid()::text,
       l."orgId",
       l."integrationId",
       COALESCE((SELECT max(r."position") FROM "gl_rules" r WHERE r."integrationId" = l."integrationId"), -1) + 1,
       'Default sales tax account',
       true,
       '[]'::jsonb,
       jsonb_build_object('sales_tax', l."account"),
       CURRENT_TIMESTAMP,
       CURRENT_TIMESTAMP
FROM "lacking" l
WHERE NOT EXISTS (SELECT 1 FROM "catch_all" c WHERE c."integrationId" = l."integrationId");
