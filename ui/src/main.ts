import { mount } from 'svelte';
import App from './App.svelte';
import { applyTheme, readThemePreference } from './lib/theme';
import './app.css';

// Before mounting, so the first frame already has the user's theme.
applyTheme(readThemePreference(localStorage), document.documentElement);

const target = document.getElementById('app');
if (!target) throw new Error('index.html lost its #app element');
mount(App, { target });
