#!/usr/bin/env node
import { loadConfig } from './config.js';
import { createShop } from './shop.js';

// Entry point: `npm start` in examples/shop (settings: see config.js and README.md).
const config = loadConfig(process.env);
const shop = createShop(config);
const url = await shop.listen();
process.stdout.write(`Shop listens on ${url} (Kontor issuer: ${config.issuer})\n`);
const stop = () => void shop.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
