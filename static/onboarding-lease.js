/* onboarding_sdk widget: built by widget/build.mjs from widget/src; do not edit. */
var y=1e4;async function f({storage:e,key:n,tab:t,now:a,setTimer:s},u){let r=()=>{try{return JSON.parse(e.getItem(n))||{}}catch{return{}}},c=()=>{try{e.setItem(n,JSON.stringify({tab:t,until:a()+1e4}))}catch{}},i=r();if(i.tab&&i.tab!=t&&i.until>a()||(c(),await new Promise(o=>s(o,20)),r().tab&&r().tab!=t))return"busy";try{return await u(c)}finally{try{r().tab==t&&e.removeItem(n)}catch{}}}export{y as LEASE,f as withLease};
//# sourceMappingURL=onboarding-lease.js.map
