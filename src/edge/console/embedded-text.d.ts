/**
 * The console's page, stylesheet and browser scripts are imported as text
 * (`import page from "./page/index.htm" with { type: "text" }`): Bun embeds them in the
 * executable. The page is `.htm` because bun-types types every `*.html` import as an HTMLBundle
 * (Bun's full-stack bundler), whatever the import's `type`. A relative `.js` import that resolves
 * to a TypeScript file keeps that file's types; only untyped JavaScript (the browser scripts,
 * which run in the page, not here) is text.
 */
declare module "*.htm" {
  const text: string;
  export default text;
}

declare module "*.css" {
  const text: string;
  export default text;
}

declare module "*.js" {
  const text: string;
  export default text;
}
