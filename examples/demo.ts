// `npm start` until the CLI exists: a real evaluation on the bundled example.
import { SipguardError } from '../src/index.js';

console.log('sipguard', SipguardError.name);
