// Notifications that carry device strings (names, titles, errors) as one honest line: the same
// rule as the output channels and the tree (see core/util/text.ts). Same signatures as VS Code's.
import * as vscode from 'vscode';
import { oneLine } from '../../core/util/text';

const MAX_MESSAGE_CHARS = 1000;

function honestArgs<T extends unknown[]>(items: T): T {
  return items.map((item) => {
    if (item && typeof item === 'object' && 'detail' in item && typeof (item as { detail?: unknown }).detail === 'string') {
      return { ...item, detail: oneLine((item as { detail: string }).detail, MAX_MESSAGE_CHARS) };
    }
    return item;
  }) as T;
}

export function showError<T extends string>(message: string, ...items: (T | vscode.MessageOptions)[]): Thenable<T | undefined> {
  return vscode.window.showErrorMessage(oneLine(message, MAX_MESSAGE_CHARS), ...(honestArgs(items) as T[])) as Thenable<T | undefined>;
}

export function showWarning<T extends string>(message: string, ...items: (T | vscode.MessageOptions)[]): Thenable<T | undefined> {
  return vscode.window.showWarningMessage(oneLine(message, MAX_MESSAGE_CHARS), ...(honestArgs(items) as T[])) as Thenable<T | undefined>;
}

export function showInfo<T extends string>(message: string, ...items: (T | vscode.MessageOptions)[]): Thenable<T | undefined> {
  return vscode.window.showInformationMessage(oneLine(message, MAX_MESSAGE_CHARS), ...(honestArgs(items) as T[])) as Thenable<T | undefined>;
}
