// Name pools for generated people. All domains are reserved for documentation (RFC 2606:
// example.org/.com/.net, *.example, *.test). First names of the named demo subjects
// (lib/demo/subjects.ts) are deliberately absent, so generated people never collide with them.
// A few spellings need Unicode case folding (é, ö, ü, ß, ø), like real address books.

export const FIRST_NAMES = [
  "Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Akira", "Alba", "Alexei", "Amara", "Amir",
  "Ana", "André", "Anika", "Anton", "Arjun", "Astrid", "Aylin", "Beatriz", "Benedikt", "Bianca",
  "Björn", "Bruno", "Camille", "Carlos", "Cecilia", "Chen", "Clara", "Conor", "Dalia", "Damien",
  "Daria", "David", "Diego", "Dmitri", "Elena", "Elif", "Elias", "Eliska", "Emma", "Enzo",
  "Erik", "Esther", "Fatima", "Felix", "Fiona", "Florian", "Freya", "Gabriel", "Greta", "Hana",
  "Hannah", "Hassan", "Helena", "Hiro", "Ida", "Ines", "Ingrid", "Isaac", "Isla", "Ivana",
  "Jakob", "Jana", "Javier", "Jonas", "Jorge", "Josefine", "Julia", "Kai", "Kamal", "Karin",
  "Katarina", "Kenji", "Laila", "Lars", "Laura", "Lena", "Leon", "Lina", "Lucas", "Lucía",
  "Luis", "Magnus", "Maja", "Marek", "Maria", "Mateo", "Matilda", "Mei", "Mia", "Mikael",
  "Milan", "Mira", "Nadia", "Nathan", "Nina", "Noor", "Olga", "Oliver", "Omar", "Oskar",
  "Paula", "Pedro", "Petra", "Pia", "Rafael", "Ravi", "Rebecca", "Rita", "Ruben", "Sakura",
  "Sara", "Sebastian", "Selin", "Simon", "Sofia", "Søren", "Stefan", "Tariq", "Thea", "Theo",
  "Tomás", "Ulla", "Valentina", "Vera", "Viktor", "Yasmin", "Yusuf", "Zofia",
] as const;

export const LAST_NAMES = [
  "Abbott", "Adeyemi", "Almeida", "Andersson", "Bauer", "Becker", "Bianchi", "Brennan", "Brown", "Castro",
  "Chen", "Costa", "Dąbrowski", "Dahl", "Duarte", "Eriksen", "Fischer", "Fernández", "Fontaine", "Ferreira",
  "García", "Gómez", "Graham", "Hansen", "Hartmann", "Hughes", "Ivanova", "Jansen", "Jensen", "Kaur",
  "Keller", "Khan", "Kovač", "Krause", "Kuznetsov", "Larsen", "Laurent", "Lehmann", "Lindqvist", "López",
  "Mancini", "Martin", "Meyer", "Moreau", "Murphy", "Nakamura", "Nguyen", "Nielsen", "Novak", "Nowak",
  "O'Brien", "Okonkwo", "Olsen", "Öztürk", "Park", "Pereira", "Petrov", "Popescu", "Quinn", "Ramos",
  "Reyes", "Richter", "Rossi", "Sato", "Schäfer", "Schneider", "Schulz", "Silva", "Singh", "Sousa",
  "Stein", "Strauß", "Suzuki", "Svensson", "Tanaka", "Torres", "Vogel", "Wagner", "Walsh", "Weber",
  "Wolf", "Yamamoto", "Young", "Zimmermann",
] as const;

/** Email domain → the homeserver its owners use (one-to-one, so mxids stay unique). */
export const DOMAINS = [
  { domain: "example.org", homeserver: "matrix.example.org" },
  { domain: "example.com", homeserver: "chat.example.com" },
  { domain: "example.net", homeserver: "matrix.example.net" },
  { domain: "mail.example", homeserver: "hs.mail.example" },
  { domain: "post.example", homeserver: "matrix.post.example" },
  { domain: "inbox.example", homeserver: "matrix.demo.custodian.test" },
] as const;

/** Countries for generated phone numbers: prefix + 8 digits (E.164 without '+'). */
export const PHONE_PREFIXES = [
  { prefix: "4479", country: 44 },
  { prefix: "336", country: 33 },
  { prefix: "49151", country: 49 },
  { prefix: "316", country: 31 },
  { prefix: "346", country: 34 },
] as const;

export const BROWSER_UAS = [
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Element/1.11.24 (iPhone; iOS 17.6.1; Scale/3.00)",
  "Element/1.6.26 (Google Pixel 7; Android 14; UP1A.231005.007; Flavour GooglePlay; MatrixAndroidSdk2 1.6.26)",
] as const;

export const SCANNER_REQUESTS = [
  { path: "/wp-login.php", ua: "curl/7.88.1" },
  { path: "/.env", ua: "Mozilla/5.0 zgrab/0.x" },
  { path: "/robots.txt", ua: "Mozilla/5.0 zgrab/0.x" },
  { path: "/", ua: "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)" },
  { path: "/server-status", ua: "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)" },
] as const;

export const SYNAPSE_UA = "Synapse/1.120.2";

/** ASCII form for Matrix ID localparts (lower-case, diacritics and ß/ø/ł folded). */
export function asciiFold(s: string): string {
  return s
    .replace(/ß/g, "ss").replace(/ẞ/g, "SS")
    .replace(/[øØ]/g, "o").replace(/[łŁ]/g, "l").replace(/[æÆ]/g, "ae")
    .normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9._=-]/g, "");
}
