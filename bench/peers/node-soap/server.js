#!/usr/bin/env node
// Benchmark peer: the Leerbedrijf WSDL served by node-soap (npm `soap`) over mutual TLS.
// It stands for "what people would otherwise use": a generic SOAP stack, driven by the same
// wsdl/leerbedrijf.wsdl, answering VerifieerErkenning from an in-memory table loaded from the
// same demo erkenningen as edugate's SQLite fixtures (bench/peers/erkenningen.tsv, see README).
//
// It does far less per request than edugate, on purpose (it is what a quick generic server
// does): WS-Addressing headers (wsa:To/From/Action/MessageID) are accepted and IGNORED (no
// OIN check against the certificate, no wsa:Action check, no RelatesTo in the answer, no
// duplicate-MessageID check), no CRL check, no schema-strict parsing, no identifier
// validation, no audit log.
//
// Usage: node server.js --key K --cert C --ca CA [--port N] [--host H] [--data FILE]
//        [--wsdl FILE]
// Env fallbacks: PEER_PORT (or PORT), PEER_HOST, PEER_KEY, PEER_CERT, PEER_CA, PEER_DATA.
// Port 0 (the default) picks a free port. When listening it prints ONE line on stdout:
//   {"event":"listening","peer":"node-soap","address":"127.0.0.1","port":43210}
'use strict';

const fs = require('fs');
const https = require('https');
const path = require('path');
const soap = require('soap');

function parseArgs(argv) {
  const env = process.env;
  const here = __dirname;
  const repo = path.resolve(here, '..', '..', '..');
  const opt = {
    port: env.PEER_PORT || env.PORT || '0',
    host: env.PEER_HOST || '127.0.0.1',
    key: env.PEER_KEY,
    cert: env.PEER_CERT,
    ca: env.PEER_CA,
    data: env.PEER_DATA || path.join(here, '..', 'erkenningen.tsv'),
    wsdl: path.join(repo, 'wsdl', 'leerbedrijf.wsdl'),
  };
  for (let i = 2; i < argv.length; ++i) {
    const a = argv[i];
    const m = /^--(port|host|key|cert|ca|data|wsdl)(?:=(.*))?$/.exec(a);
    if (!m) {
      if (a === '-h' || a === '--help') {
        console.log('usage: node server.js --key K --cert C --ca CA [--port N] [--host H] [--data FILE] [--wsdl FILE]');
        process.exit(0);
      }
      throw new Error(`unknown argument ${a}`);
    }
    opt[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  }
  for (const k of ['key', 'cert', 'ca'])
    if (!opt[k]) throw new Error(`--${k} (or PEER_${k.toUpperCase()}) is required`);
  opt.port = Number(opt.port);
  return opt;
}

// erkenningen.tsv: leerbedrijf_id, samengevoegd_in, crebo, leerweg, begindatum, einddatum,
// intrekdatum; empty field = none; a row without crebo: a leerbedrijf without erkenningen.
function loadTable(file) {
  const leerbedrijven = new Map();  // id -> {samengevoegdIn, erk: Map("crebo|leerweg" -> [rows])}
  let rows = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [id, samengevoegdIn, crebo, leerweg, begin, eind, intrek] = line.split('\t');
    let lb = leerbedrijven.get(id);
    if (!lb) {
      lb = { samengevoegdIn: samengevoegdIn || null, erk: new Map() };
      leerbedrijven.set(id, lb);
    }
    if (!crebo) continue;
    const k = `${crebo}|${leerweg}`;
    if (!lb.erk.has(k)) lb.erk.set(k, []);
    lb.erk.get(k).push({ begin, eind: eind || null, intrek: intrek || null });
    ++rows;
  }
  // Newest first, as the SQL backend orders them (ISO dates compare as strings).
  for (const lb of leerbedrijven.values())
    for (const list of lb.erk.values()) list.sort((x, y) => (x.begin < y.begin ? 1 : x.begin > y.begin ? -1 : 0));
  return { leerbedrijven, rows };
}

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

// node-soap turns an xs:date into a JS Date (UTC midnight for a plain YYYY-MM-DD).
function isoDate(v) {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
  return String(v).slice(0, 10);
}

// Same rules as adapters/db/leerbedrijf_backend.cc (status_on, verifieer).
function statusOn(e, peil) {
  if (e.intrek && e.intrek <= peil) return 'ingetrokken';
  if (e.eind && e.eind < peil) return 'verlopen';
  if (e.begin > peil) return 'toekomstig';
  return 'erkend';
}
const rank = (s) => (s === 'erkend' ? 0 : s === 'toekomstig' ? 1 : 2);

// gem:Melding comes from common.xsd (imported by leerbedrijf.xsd). node-soap 1.13 writes the
// children of such an imported type with the parent's prefix (lb:Code ...), which is not
// schema-valid, so the children are named with their own prefix and gem is declared on Melding.
const GEM = 'urn:edugate:gemeenschappelijk:1';
function melding(code, ernst, tekst, veld) {
  return { attributes: { 'xmlns:gem': GEM }, 'gem:Code': code, 'gem:Ernst': ernst, 'gem:Tekst': tekst, 'gem:Veld': veld };
}

function verifieer(table, args) {
  // Element order below is the schema's sequence: node-soap writes keys in insertion order.
  const id = String(args.LeerbedrijfID ?? '');
  const crebo = String(args.Crebo ?? '');
  const leerweg = String(args.Leerweg ?? '');
  const peil = args.Peildatum ? isoDate(args.Peildatum) : todayUtc();
  const a = { Erkend: false, Peildatum: peil };
  const lb = table.leerbedrijven.get(id);
  if (!lb) {
    a.SignaalCode = 'ONBEKEND';
    a.SignaalOmschrijving = `LeerbedrijfID ${id} is niet bekend bij SBB`;
    a.Melding = [melding('LB-ONBEKEND', 'fout', 'LeerbedrijfID is niet bekend', 'LeerbedrijfID')];
    return a;
  }
  if (lb.samengevoegdIn) {
    a.SignaalCode = 'SAMENGEVOEGD';
    a.SignaalOmschrijving = `leerbedrijf ${id} is samengevoegd met ${lb.samengevoegdIn}; gebruik ${lb.samengevoegdIn}`;
    return a;
  }
  const cands = lb.erk.get(`${crebo}|${leerweg}`);
  if (!cands) {
    a.SignaalCode = 'GEEN_ERKENNING';
    a.SignaalOmschrijving = `geen erkenning voor crebo ${crebo} en leerweg ${leerweg}`;
    return a;
  }
  let best = null;
  let bestStatus = null;
  for (const e of cands) {
    const s = statusOn(e, peil);
    if (best === null || rank(s) < rank(bestStatus)) {
      best = e;
      bestStatus = s;
    }
  }
  switch (bestStatus) {
    case 'erkend':
      a.Erkend = true;
      a.SignaalCode = 'ERKEND';
      a.SignaalOmschrijving = `erkend op ${peil}`;
      break;
    case 'toekomstig':
      a.SignaalCode = 'NOG_NIET_GELDIG';
      a.SignaalOmschrijving = `erkenning gaat in op ${best.begin}`;
      break;
    case 'ingetrokken':
      a.SignaalCode = 'INGETROKKEN';
      a.SignaalOmschrijving = `erkenning ingetrokken per ${best.intrek}`;
      break;
    default:
      a.SignaalCode = 'VERLOPEN';
      a.SignaalOmschrijving = `erkenning verlopen op ${best.eind || ''}`;
  }
  a.Begindatum = best.begin;
  if (best.intrek) a.Einddatum = best.intrek;
  else if (best.eind) a.Einddatum = best.eind;
  return a;
}

function main() {
  const opt = parseArgs(process.argv);
  const table = loadTable(opt.data);
  const wsdlPath = path.resolve(opt.wsdl);
  const wsdlXml = fs.readFileSync(wsdlPath, 'utf8');

  const notOffered = () => {
    throw { Fault: { faultcode: 'soap:Server', faultstring: 'not offered by this benchmark peer', statusCode: 500 } };
  };
  const services = {
    LeerbedrijfService: {
      LeerbedrijfPort: {
        // WS-Addressing headers arrive as the 4th argument (soapHeader) and are ignored here.
        VerifieerErkenning: (args) => verifieer(table, args),
        IdentificeerLeerbedrijf: notOffered,
        GeefLeerbedrijfDetails: notOffered,
        ZoekLeerbedrijven: notOffered,
        VoordragenErkenning: notOffered,
        HaalMutatiesOp: notOffered,
      },
    },
  };

  const server = https.createServer({
    key: fs.readFileSync(opt.key),
    cert: fs.readFileSync(opt.cert),
    ca: fs.readFileSync(opt.ca),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    keepAlive: true,  // TCP keep-alive probes; HTTP/1.1 keep-alive is Node's default
  });
  // HTTP keep-alive: idle connections stay open 60 s (Node's default is 5 s).
  server.keepAliveTimeout = 60000;
  server.headersTimeout = 65000;
  server.on('tlsClientError', () => {});  // a refused client certificate is not our crash

  // `uri` is the WSDL's own file name: node-soap resolves the xs:import schemaLocation
  // (leerbedrijf.xsd, and its import of common.xsd) against its directory.
  // The server listens only once the WSDL and both schemas have loaded; a load error is fatal.
  soap.listen(server, {
    path: '/edukoppeling/leerbedrijf',
    services,
    xml: wsdlXml,
    uri: wsdlPath,
    suppressStack: true,
    callback: (err) => {
      if (err) {
        console.error(`node-soap: cannot load ${wsdlPath}: ${err.message || err}`);
        process.exit(1);
      }
      server.listen(opt.port, opt.host, () => {
        const { address, port } = server.address();
        process.stdout.write(JSON.stringify({ event: 'listening', peer: 'node-soap', address, port,
                                              erkenningen: table.rows }) + '\n');
      });
    },
  });
  const stop = () => {
    server.close(() => process.exit(0));  // closes idle keep-alive connections too (Node >= 19)
    setTimeout(() => process.exit(0), 2000).unref();  // busy ones do not hold the stop up
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
