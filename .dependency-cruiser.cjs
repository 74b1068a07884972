/**
 * Architecture rules of docs/DESIGN ("Dependency rules"). `npm run check` fails on any violation.
 * Test files (*.test.ts, test/) are exempt: they may reach into any layer they exercise.
 */
const notTest = '(\\.test\\.ts$|^test/|^bench/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'A domain layer imports only its own domain and shared/domain: no framework, no driver, no node: I/O.',
      severity: 'error',
      from: { path: '^src/contexts/[^/]+/domain/', pathNot: notTest },
      to: { pathNot: ['^src/contexts/[^/]+/domain/', '^src/shared/domain/'] },
    },
    {
      name: 'shared-domain-is-pure',
      comment: 'The shared kernel imports nothing but itself.',
      severity: 'error',
      from: { path: '^src/shared/domain/', pathNot: notTest },
      to: { pathNot: '^src/shared/domain/' },
    },
    {
      name: 'domain-stays-in-its-context',
      comment: 'A context domain imports only its own domain and shared/domain.',
      severity: 'error',
      from: { path: '^src/contexts/([^/]+)/domain/', pathNot: notTest },
      to: { path: '^src/contexts/', pathNot: '^src/contexts/$1/domain/' },
    },
    {
      name: 'application-depends-inward',
      comment: 'application/ imports its own domain/ and application/ and shared/{domain,application}; never infrastructure, http or packages.',
      severity: 'error',
      from: { path: '^src/contexts/([^/]+)/application/', pathNot: notTest },
      to: {
        pathNot: [
          '^src/contexts/$1/(domain|application)/',
          '^src/shared/(domain|application)/',
        ],
      },
    },
    {
      name: 'shared-application-depends-inward',
      severity: 'error',
      from: { path: '^src/shared/application/', pathNot: notTest },
      to: { pathNot: ['^src/shared/(domain|application)/'] },
    },
    {
      name: 'http-does-not-wire-infrastructure',
      comment: 'Routes talk to use cases and queries through ports; only app.ts and a context index.ts wire concrete adapters.',
      severity: 'error',
      from: { path: '^src/contexts/([^/]+)/http/', pathNot: notTest },
      to: { path: ['^src/contexts/[^/]+/infrastructure/', '^src/shared/infrastructure/'] },
    },
    {
      name: 'no-cross-context-imports',
      comment: 'A context never imports another context: they share src/shared and talk through events.',
      severity: 'error',
      from: { path: '^src/contexts/([^/]+)/', pathNot: notTest },
      to: { path: '^src/contexts/', pathNot: '^src/contexts/$1/' },
    },
    {
      name: 'shared-knows-no-context',
      comment: 'The shared kernel and building blocks never depend on a context.',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: notTest },
      to: { path: '^src/contexts/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^data/|^bench/results)' },
    tsPreCompilationDeps: true,
    parser: 'swc',
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
