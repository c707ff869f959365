// Prints which implementations the loaders chose in this process (loader.test.ts runs it).
import { logstreamImplementation } from '../../core/native/logstream.js';
import { ringbusImplementation } from '../../core/native/ringbus.js';

process.stdout.write(JSON.stringify({ ringbus: ringbusImplementation, logstream: logstreamImplementation }));
