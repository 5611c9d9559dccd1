// Bundles entry.js as plotly.js's own build does (its esbuild-config.js: an IIFE defining the
// global Plotly, `global` as window, regl and stream aliased), minified.
const esbuild = require('esbuild');
const version = require('plotly.js/package.json').version;

// plotly.js's registry requires maplibre-gl's CSS only when a map trace registers: none here.
const noMapCss = {
    name: 'no-map-css',
    setup(build) {
        build.onResolve({filter: /maplibre-gl\.css$/}, (args) => ({path: args.path, namespace: 'empty'}));
        build.onLoad({filter: /.*/, namespace: 'empty'}, () => ({contents: '', loader: 'js'}));
    }
};

esbuild.build({
    entryPoints: ['entry.js'],
    outfile: process.argv[2],
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'eof',
    target: 'es2016',
    plugins: [noMapCss],
    alias: {regl: '@plotly/regl', stream: 'stream-browserify'},
    define: {global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false'},
    banner: {js: `/**\n* plotly.js (bar, heatmap, scatter - minified) v${version}\n* Copyright 2012-2026, Plotly, Inc.\n* All rights reserved.\n* Licensed under the MIT license\n*/`},
    footer: {js: 'window.Plotly = Plotly;'},
    logLevel: 'warning'
}).catch(() => process.exit(1));
