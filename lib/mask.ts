// Masking of personal data for views that may not see it in clear (e.g. auditors). Always mask on
// the server: the clear value must never reach the browser. Masks use a fixed number of bullets
// so they do not reveal a value's length.

const BULLETS = "••••";

function firstChar(s: string): string {
  return Array.from(s)[0] ?? "";
}

/** "Alice Smith" -> "A•••• S••••" */
export function maskName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return BULLETS;
  return words.map((w) => `${firstChar(w)}${BULLETS}`).join(" ");
}

/** "alice@example.org" -> "a•••@e••••.org" (first letters and the top-level domain only). */
export function maskEmail(email: string): string {
  const at = email.trim().lastIndexOf("@");
  if (at <= 0) return maskName(email);
  const local = email.trim().slice(0, at);
  const domain = email.trim().slice(at + 1);
  const labels = domain.split(".").filter(Boolean);
  const tld = labels.length > 1 ? `.${labels[labels.length - 1]}` : "";
  return `${firstChar(local)}•••@${firstChar(domain)}${BULLETS}${tld}`;
}

/** "+44 7700 900123" -> "+44••••••23": the country code and the last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  if (digits.length < 6) return BULLETS;
  const plus = phone.trim().startsWith("+") ? "+" : "";
  return `${plus}${digits.slice(0, 2)}••••••${digits.slice(-2)}`;
}

export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(value.trim());
}

export function looksLikePhone(value: string): boolean {
  return /^\+?[\d\s().-]{6,20}$/.test(value.trim()) && value.replace(/\D/g, "").length >= 6;
}

/** A contact detail of unknown kind: e-mail, phone number, or anything else (e.g. a postal address). */
export function maskContact(value: string): string {
  if (looksLikeEmail(value)) return maskEmail(value);
  if (looksLikePhone(value)) return maskPhone(value);
  return maskName(value);
}
