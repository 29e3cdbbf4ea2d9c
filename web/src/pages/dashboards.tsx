export function Dashboards() {
  return (
    <main id="main">
      <h1>Dashboards</h1>
    </main>
  );
}
