#!/usr/bin/env node
// The headless CLI (npm run build first): autodata generate <file...> --config <json> | export | resume | --help
'use strict';
require('../out/cli.js').runCli();
