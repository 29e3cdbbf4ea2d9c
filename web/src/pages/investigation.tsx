export function Investigation() {
  return (
    <main id="main">
      <h1>Investigation</h1>
    </main>
  );
}
