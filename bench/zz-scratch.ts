import { ShmTransport } from '../host/transport/shm-transport.ts';
import { callFrame } from './shm-worker.ts';
