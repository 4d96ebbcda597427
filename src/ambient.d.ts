/** `import path from "x.proto" with { type: "file" }`: Bun embeds the file and gives its path. */
declare module "*.proto" {
  const path: string;
  export default path;
}

/** JSON.rawJSON (TC39 JSON.parse source text access) is in Bun's JavaScriptCore but not yet in lib.d.ts. */
interface JSON {
  rawJSON(text: string): unknown;
}
