export function AuditLog() {
  return (
    <main id="main">
      <h1>Audit log</h1>
    </main>
  );
}
