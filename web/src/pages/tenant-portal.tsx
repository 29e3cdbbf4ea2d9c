export function TenantPortal() {
  return (
    <main id="main">
      <h1>Your tenant</h1>
    </main>
  );
}
