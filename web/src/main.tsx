import { render } from "preact";
import { App } from "./app";
import { adoptTokenFromHash } from "./auth/session";
import "./styles.css";

adoptTokenFromHash();
const root = document.getElementById("app");
if (root) render(<App />, root);
