// Validates an OpenAPI document with @apidevtools/swagger-parser (schema of the OpenAPI
// specification, plus its own checks: $refs resolve, operationIds unique, path parameters).
//   node validate.js openapi.json     exit 0 and "valid" on stdout, or 1 with the errors
"use strict";
const SwaggerParser = require("@apidevtools/swagger-parser");

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.js OPENAPI.json");
  process.exit(2);
}
SwaggerParser.validate(file)
  .then((api) => {
    const ops = Object.values(api.paths).reduce((n, p) => n + Object.keys(p).length, 0);
    console.log(`valid: OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths, ${ops} operations`);
  })
  .catch((err) => {
    console.error(`invalid: ${err.message}`);
    process.exit(1);
  });
