/** Options are labelled A, B, C… so that a projector and a phone can talk about the same one. */
export const optionLetter = (index: number): string => String.fromCharCode(65 + index);
