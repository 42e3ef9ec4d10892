import './test/support/server.js'
