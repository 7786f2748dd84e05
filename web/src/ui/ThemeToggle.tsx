import { Icon } from './icons';
import { nextChoice, setChoice, type ThemeChoice, useTheme } from './theme';

const words: Record<ThemeChoice, string> = { system: 'as the system', light: 'light', dark: 'dark' };
const icons: Record<ThemeChoice, string> = { system: 'monitor', light: 'sun', dark: 'moon' };

/** One button: shows the current choice, a click goes to the next (system → light → dark). */
export function ThemeToggle({ className = 'btn ghost small' }: { className?: string }) {
  const { choice } = useTheme();
  const next = nextChoice(choice);
  return (
    <button type="button" className={`${className} theme-toggle`} data-choice={choice} aria-label={`Colour theme: ${words[choice]}`}
      title={`Colours: ${words[choice]}. Click for ${words[next]}.`} onClick={() => setChoice(next)}>
      <Icon name={icons[choice]} />
    </button>
  );
}
