// How the page words what the core says: class names (the core's, label 0 first, once the worker
// has said them), percentages, and how sure a prediction is of the class it names.

/** The core's class names; the page's own until the worker's hello. */
export let classes = ['cat', 'dog'];

export function setClasses(names) {
  classes = names;
}

export function percent(value) {
  return value === undefined ? '–' : `${value.toFixed(1)} %`;
}

/** "dog (73.2 %)": the class `label` and the probability the core gave it, from the
 * probability of label 1 that predictions and mistakes carry. */
export function sayClass(label, probabilityOf1, digits = 1) {
  const sure = label === 1 ? probabilityOf1 : 1 - probabilityOf1;
  return `${classes[label]} (${(sure * 100).toFixed(digits)} %)`;
}
