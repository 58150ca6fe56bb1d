import { render } from "preact";

function App() {
  return (
    <main>
      <h1>Edge Experiments</h1>
      <p>
        The API is live: see <a href="/api/docs">the API reference</a>.
      </p>
    </main>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
