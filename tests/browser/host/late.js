setTimeout(() => {
  const i = document.createElement('input'); i.id = 'late'; i.setAttribute('data-onboarding', 'late');
  i.setAttribute('aria-label', 'Late field'); document.getElementById('slot').append(i);
}, 2000);
