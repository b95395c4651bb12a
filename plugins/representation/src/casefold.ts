/**
 * Case-insensitive name key, close to Python's `str.casefold`: upper-case then lower-case (so "ß" and
 * "SS" both give "ss", ligatures split), and final sigma "ς" folds to "σ". Known gap: Cherokee letters
 * (casefold maps them to upper case) and a few compatibility characters differ from Python.
 */
export function casefold(name: string): string {
  return name.toUpperCase().toLowerCase().replace(/ς/g, "σ");
}
