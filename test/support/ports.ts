export { freePort } from '../../deploy/services/ports.ts';
