// The HTML a user sees at the authorize endpoint. It is a real form, so a browser (or a test that
// reads the page) consents the same way a person does on Sage's own page.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export type ConsentPageInput = {
  systemName: string;
  clientName: string;
  scope: string;
  companies: string[];
  formAction: string;
  consentId: string;
};

export function renderConsentPage(input: ConsentPageInput): string {
  const companies = input.companies.length > 0 ? input.companies.map((company) => `<li>${escapeHtml(company)}</li>`).join('') : '<li>(none yet)</li>';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorize ${escapeHtml(input.clientName)} – ${escapeHtml(input.systemName)} (sandbox)</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}</style></head>
<body>
<h1>${escapeHtml(input.systemName)}</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> asks for <strong>${escapeHtml(input.scope)}</strong> access to these companies:</p>
<ul id="companies">${companies}</ul>
<form method="post" action="${escapeHtml(input.formAction)}">
<input type="hidden" name="consent_id" value="${escapeHtml(input.consentId)}">
<button type="submit" name="decision" value="allow" id="allow">Allow access</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>
<p><small>This is the local Sage sandbox, not Sage.</small></p>
</body>
</html>
`;
}

export function renderOAuthErrorPage(systemName: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error – ${escapeHtml(systemName)} (sandbox)</title></head>
<body><h1>Authorization error</h1><p id="error">${escapeHtml(message)}</p></body></html>
`;
}
