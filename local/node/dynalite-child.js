// dynalite as a child of the local stack: it serves until its parent goes away.
// The parent holds the write end of our stdin; end of stdin means the parent has exited, however it
// exited (SIGKILL included), so we exit too instead of lingering as an orphan.
// Ctrl+C in a terminal signals the whole process group: we ignore SIGINT so that the parent can
// pause its workflows against a live DynamoDB first, then stop us.
const { parseArgs } = require('node:util')
const dynalite = require('dynalite')

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' }, path: { type: 'string' } },
})

process.on('SIGINT', () => {})
process.stdin.on('end', () => process.exit(0))
process.stdin.on('error', () => process.exit(0))
process.stdin.resume()

// Port 0 takes a free port from the kernel at the bind; the parent learns which from our first line.
const server = dynalite({ path: values.path })
server.listen(Number(values.port), values.host, () => console.log(`listening ${server.address().port}`))
