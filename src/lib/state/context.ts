import { createContext } from 'svelte';
import type { ScanSession } from './scan-session.svelte';

export const [getSession, setSession] = createContext<ScanSession>();
