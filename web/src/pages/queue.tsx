export function Queue() {
  return (
    <main id="main">
      <h1>Open investigations</h1>
    </main>
  );
}
