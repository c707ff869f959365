import { mergeErrors } from '../../core/index.js';
import { bidErrors } from './bids/index.js';
import { payoffErrors } from './payoffs/index.js';
import { proposalErrors } from './proposals/errors.js';

/** Every code of the plugin: the parts' tables, merged (a code declared twice is refused). */
export const governanceErrors = mergeErrors(proposalErrors, bidErrors, payoffErrors);
