/**
 * Throw-away TLS material for tests, made with openssl at test time (nothing secret is checked
 * in): a CA, a server certificate for loopback, a client certificate from the same CA, and an
 * unrelated second CA for "wrong CA" tests. Every file is PEM; keys are unencrypted PKCS#8
 * ("BEGIN PRIVATE KEY"), the only key form Kafka's PEM key stores read without a password.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Paths of the PEM files makeCertificates() wrote. */
export interface TestCertificates {
  /** The CA certificate that signed the server and client certificates: what clients trust. */
  readonly caCert: string;
  /** Server certificate, SAN IP:127.0.0.1 and DNS:localhost, signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Server key followed by its certificate (no CA, as servers send it): a Kafka `ssl.keystore.type=PEM` file. */
  readonly serverKeyStore: string;
  /** Client certificate (CN hobom-test-client, clientAuth), signed by the CA, for mutual TLS. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed nothing here: trusting it instead of caCert must fail. */
  readonly otherCaCert: string;
}

// Long enough for any test run, short enough that a leaked file is worthless.
const DAYS = "2";

/** Writes a fresh set of certificates and keys into dir (created if missing). */
export async function makeCertificates(dir: string): Promise<TestCertificates> {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  await Promise.all([makeCa(dir, "ca", "hobom-test-ca"), makeCa(dir, "other-ca", "hobom-unrelated-ca")]);
  await Promise.all([
    makeLeaf(dir, "server", "localhost", ["subjectAltName=IP:127.0.0.1,DNS:localhost", "extendedKeyUsage=serverAuth"]),
    makeLeaf(dir, "client", "hobom-test-client", ["extendedKeyUsage=clientAuth"]),
  ]);
  writeFileSync(file("server-keystore.pem"), [file("server.key"), file("server.pem")].map((path) => readFileSync(path, "utf8")).join(""));
  return {
    caCert: file("ca.pem"),
    serverCert: file("server.pem"),
    serverKey: file("server.key"),
    serverKeyStore: file("server-keystore.pem"),
    clientCert: file("client.pem"),
    clientKey: file("client.key"),
    otherCaCert: file("other-ca.pem"),
  };
}

/** A self-signed CA: <name>.key and <name>.pem. */
async function makeCa(dir: string, name: string, commonName: string): Promise<void> {
  await openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    DAYS,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.pem`,
    "-subj",
    `/CN=${commonName}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
}

/**
 * A certificate signed by ca: <name>.key, <name>.pem. Through a CSR and `x509 -req` so that it
 * carries only the given extensions (`req -x509` would add openssl.cnf's CA extensions).
 */
async function makeLeaf(dir: string, name: string, commonName: string, extensions: string[]): Promise<void> {
  await openssl(dir, ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${commonName}`]);
  writeFileSync(
    join(dir, `${name}.ext`),
    ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", ...extensions, ""].join("\n"),
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-days",
    DAYS,
    "-set_serial",
    `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString("hex")}`,
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  ]);
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  const proc = Bun.spawn(["openssl", ...args], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`openssl ${args.join(" ")} failed (exit ${code}) in ${cwd}:\n${out}${err}`);
}
