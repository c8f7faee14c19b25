// Every integration suite, in the order they run.
import './activation.test';
import './generate.test';
import './panel.test';
import './resume.test';
import './models.test';
import './workspace.test';
import './sources.test';
import './hostile.test';
import './export.test';
import './lm.test';
import './cross-resume.test';
import './settings.test';
import './dataset-commands.test';
