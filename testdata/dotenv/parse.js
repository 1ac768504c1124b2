// Test helper for bbsetup's envfile package: parses .env content with the real npm dotenv
// parser and prints the results as JSON.
//
//   node parse.js FILE...   -> a JSON array with one object per file
//   node parse.js -         -> reads a JSON array of base64 strings on stdin, prints a JSON
//                              array with one object per string
'use strict'
const fs = require('fs')
const dotenv = require('dotenv')

const args = process.argv.slice(2)
let inputs
if (args.length === 1 && args[0] === '-') {
  inputs = JSON.parse(fs.readFileSync(0, 'utf8')).map((b) => Buffer.from(b, 'base64'))
} else {
  inputs = args.map((f) => fs.readFileSync(f))
}
// Buffers, as @nestjs/config passes them: dotenv.parse(fs.readFileSync(path)).
process.stdout.write(JSON.stringify(inputs.map((b) => dotenv.parse(b))))
