import { createContext } from 'svelte';
import type { ScanSession } from './scan-session.svelte';
import type { SessionPersistence } from './session-persistence.svelte';

export const [getSession, setSession] = createContext<ScanSession>();

export const [getPersistence, setPersistence] = createContext<SessionPersistence>();
