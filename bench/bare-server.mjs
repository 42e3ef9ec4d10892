// The runtime's ceiling: node:http answering a fixed small JSON, nothing else.
import http from 'node:http'

const body = JSON.stringify({ email: 'bench@example.com', id: 1 })
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
})
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
process.on('SIGTERM', () => { server.close(() => process.exit(0)) })
