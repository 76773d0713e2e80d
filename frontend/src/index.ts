// TensorBoard's entry contract for dynamic plugins: plugin_entry.html imports this module and calls render().

import { App } from './app';

let app: App | null = null;

export function render(): void {
  if (app) return;
  app = new App(document.body);
  app.start();
}
