"use client";

// Last-resort error page: never shows the error's message or stack (they may hold personal data).
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main id="main" tabIndex={-1} style={{ padding: "2rem", fontFamily: "system-ui" }}>
          <h1>Something went wrong</h1>
          <p>The error has been logged{error.digest ? ` (reference ${error.digest})` : ""}.</p>
          <button type="button" onClick={reset}>Try again</button>
        </main>
      </body>
    </html>
  );
}
