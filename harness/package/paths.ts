import path from 'node:path';

/** This package's folder, from which every tool finds the sources, dist/, docs/ and the end-to-end installs. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
