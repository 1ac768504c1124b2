// Test helper for bbsetup: what environment the real Nx gives a task, from Nx's own code.
//
// Preloaded into the real Nx CLI started in a checkout's root:
//
//   BBSETUP_NX_TASKS='[{"project":"amplication-server","projectRoot":"packages/amplication-server"}]' \
//   BBSETUP_NX_OUT=out.json NX_DAEMON=false \
//     node -r ./taskenv.js node_modules/nx/bin/nx.js --version
//
// The CLI starts as for any command: it loads the root .env files into its own environment
// (bin/nx.js). When it exits, this asks Nx's task runner (ForkedProcessTaskRunner, the code
// that builds the environment of every task `nx serve` forks) for each task's environment,
// with the dotenv loading `nx run`/`nx serve` turn on (NX_LOAD_DOT_ENV_FILES=true), and
// writes them to BBSETUP_NX_OUT as a JSON array of objects. A task may name a
// "configuration" (e.g. "development"). Nothing here reimplements Nx's precedence.
'use strict'
const fs = require('fs')
const path = require('path')

const tasks = JSON.parse(process.env.BBSETUP_NX_TASKS || '[]')
const out = process.env.BBSETUP_NX_OUT
const nxDir = path.join(__dirname, 'node_modules', 'nx')

process.on('exit', () => {
  const { ForkedProcessTaskRunner } = require(path.join(nxDir, 'src', 'tasks-runner', 'forked-process-task-runner.js'))
  const runner = new ForkedProcessTaskRunner({})
  process.env.NX_LOAD_DOT_ENV_FILES = 'true'
  const envs = tasks.map((t) => {
    const task = {
      id: `${t.project}:serve${t.configuration ? ':' + t.configuration : ''}`,
      target: { project: t.project, target: 'serve', configuration: t.configuration },
      projectRoot: t.projectRoot,
      overrides: {},
    }
    return runner.getEnvVariablesForTask(task, 'false', undefined, false)
  })
  fs.writeFileSync(out, JSON.stringify({
    nx: require(path.join(nxDir, 'package.json')).version,
    envs,
  }))
})
